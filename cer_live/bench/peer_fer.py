"""The `fer` peer's timing, run by the peer's own interpreter (`--peer-python`), not cer-live's.

Standalone on purpose: it imports only numpy and fer (with TensorFlow), which cer-live's
environment does not have. It reads the frames the bench decoded (a .npy of BGR frames, so
both sides see the same pixels), runs `fer.FER().detect_emotions` on each and prints one
JSON line: frames per second of the per-frame analysis, and the whole process's wall time.
"""

import json
import sys
import time

T0 = time.perf_counter()


def main(frames_path: str) -> None:
    import numpy as np

    try:
        from fer import FER
    except ImportError:  # fer 25 keeps the class in its submodule only
        from fer.fer import FER

    frames = np.load(frames_path)
    detector = FER()
    detector.detect_emotions(frames[0])  # the model loads on the first call: not a per-frame cost
    t0 = time.perf_counter()
    found = sum(bool(detector.detect_emotions(frame)) for frame in frames)
    wall = time.perf_counter() - t0
    version = getattr(sys.modules.get("fer"), "__version__", "unknown")
    print(
        json.dumps(
            {
                "fps": len(frames) / wall if wall else 0.0,
                "frames": len(frames),
                "frames_with_face": found,
                "process_s": time.perf_counter() - T0,
                "fer_version": version,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
