"""TensorRT backend: FP16 engines built from the pack's ONNX, cached as serialised plans.

Written against the TensorRT 10 Python API (8.6 also works: the explicit-batch flag is set
where it still exists). Device memory and streams come from cuda-python. One execution
context and one CUDA stream per member; plans are keyed as `plan_cache.PlanKey` says and a
corrupt or mismatched plan is rebuilt, never trusted.
"""

from __future__ import annotations

import ctypes
import logging

import numpy as np
import tensorrt as trt

from ... import PRODUCER
from ...errors import BackendError
from .base import BackendOptions, ModelSource, TensorSpec, device_index, resolve_precision
from .plan_cache import PlanCache, PlanKey, default_cache_dir

try:  # cuda-python >= 12.8 moved the runtime bindings
    from cuda.bindings import runtime as cudart
except ImportError:  # pragma: no cover - older cuda-python
    from cuda import cudart  # type: ignore[no-redef]

log = logging.getLogger(__name__)
_WORKSPACE_BYTES = 2 << 30


class _TrtLogger(trt.ILogger):
    """Routes TensorRT's messages to logging instead of stderr."""

    def __init__(self) -> None:
        trt.ILogger.__init__(self)

    def log(self, severity: trt.ILogger.Severity, msg: str) -> None:  # noqa: A003 - TensorRT's name
        if severity in (
            trt.ILogger.Severity.INTERNAL_ERROR,
            trt.ILogger.Severity.ERROR,
        ):
            log.error("tensorrt: %s", msg)
        elif severity == trt.ILogger.Severity.WARNING:
            log.warning("tensorrt: %s", msg)
        else:
            log.debug("tensorrt: %s", msg)


def _check(result: tuple, what: str):  # type: ignore[no-untyped-def]
    err, *rest = result if isinstance(result, tuple) else (result,)
    if err != cudart.cudaError_t.cudaSuccess:
        raise BackendError(f"CUDA call {what} failed ({err}); check the driver and --device")
    return rest[0] if len(rest) == 1 else rest


class _Buffer:
    """A device allocation with a pinned host mirror, grown on demand."""

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = np.dtype(dtype)
        self.capacity = 0
        self.device = 0
        self.host_ptr = 0

    def ensure(self, nbytes: int) -> None:
        if nbytes <= self.capacity:
            return
        self.free()
        self.device = _check(cudart.cudaMalloc(nbytes), "cudaMalloc")
        self.host_ptr = _check(cudart.cudaMallocHost(nbytes), "cudaMallocHost")
        self.capacity = nbytes

    def host(self, shape: tuple[int, ...]) -> np.ndarray:
        count = int(np.prod(shape))
        raw = (ctypes.c_byte * (count * self.dtype.itemsize)).from_address(self.host_ptr)
        return np.frombuffer(raw, dtype=self.dtype, count=count).reshape(shape)

    def free(self) -> None:
        if self.device:
            cudart.cudaFree(self.device)
        if self.host_ptr:
            cudart.cudaFreeHost(self.host_ptr)
        self.device = self.host_ptr = self.capacity = 0


class TensorRTBackend:
    name = "tensorrt"

    def __init__(self, source: ModelSource, options: BackendOptions) -> None:
        if not options.device.startswith("cuda"):
            raise BackendError("TensorRT needs an NVIDIA GPU; use --device cuda, or --backend onnxruntime on the CPU")
        if options.precision == "int8":
            raise BackendError("INT8 members run on onnxruntime; use --backend onnxruntime or --precision fp16")
        self._label = source.label
        device = device_index(options.device)
        self._device = device
        _check(cudart.cudaSetDevice(device), "cudaSetDevice")
        props = _check(cudart.cudaGetDeviceProperties(device), "cudaGetDeviceProperties")
        gpu_name = props.name.decode(errors="replace") if isinstance(props.name, bytes) else str(props.name)
        self._logger = _TrtLogger()
        max_batch = max(1, options.max_batch)
        key = PlanKey(
            onnx_sha256=source.onnx.sha256,
            tensorrt_version=trt.__version__,
            gpu_name=gpu_name,
            compute_capability=f"{props.major}.{props.minor}",
            precision=resolve_precision(options),
            batch_profile=(1, min(8, max_batch), max_batch),
        )
        cache = PlanCache(options.cache_dir or default_cache_dir())
        runtime = trt.Runtime(self._logger)
        plan = cache.load(source.label, key)
        engine = self._deserialise(runtime, plan) if plan is not None else None
        if engine is None:
            if plan is not None:
                log.warning(
                    "TensorRT could not load the cached plan for %s; rebuilding",
                    source.label,
                )
            plan = self._build(source.onnx.read(), key, cache)
            engine = self._deserialise(runtime, plan)
            if engine is None:
                raise BackendError(f"TensorRT built a plan for {source.label} but cannot load it; see the log above")
            try:
                cache.store(source.label, key, plan, PRODUCER)
            except OSError as exc:  # a read-only cache costs a rebuild next time, not this run
                log.warning(
                    "cannot cache the TensorRT plan for %s (%s); it will be rebuilt next run", source.label, exc
                )
        self.precision = key.precision
        self.model_sha256 = source.onnx.sha256  # the plan is built from the FP32 ONNX
        self._runtime = runtime
        self._engine = engine
        self._context = engine.create_execution_context()
        self._stream = _check(cudart.cudaStreamCreate(), "cudaStreamCreate")
        names = [engine.get_tensor_name(i) for i in range(engine.num_io_tensors)]
        self._inputs = [n for n in names if engine.get_tensor_mode(n) == trt.TensorIOMode.INPUT]
        self._outputs = [n for n in names if engine.get_tensor_mode(n) == trt.TensorIOMode.OUTPUT]
        if len(self._inputs) != 1:
            raise BackendError(f"{source.label} has {len(self._inputs)} inputs; members must have exactly one")
        self._buffers = {n: _Buffer(trt.nptype(engine.get_tensor_dtype(n))) for n in names}
        self._max_batch = max_batch

    def _deserialise(self, runtime: trt.Runtime, plan: bytes) -> trt.ICudaEngine | None:
        try:
            return runtime.deserialize_cuda_engine(plan)
        except Exception as exc:  # a damaged plan may raise instead of returning None
            log.warning("TensorRT rejected the plan for %s (%s)", self._label, exc)
            return None

    def _build(self, onnx: bytes, key: PlanKey, cache: PlanCache) -> bytes:
        log.info(
            "building a TensorRT %s engine for %s (once; cached)",
            key.precision,
            self._label,
        )
        builder = trt.Builder(self._logger)
        flags = 0
        if hasattr(trt.NetworkDefinitionCreationFlag, "EXPLICIT_BATCH"):  # required before TensorRT 10
            flags = 1 << int(trt.NetworkDefinitionCreationFlag.EXPLICIT_BATCH)
        network = builder.create_network(flags)
        parser = trt.OnnxParser(network, self._logger)
        if not parser.parse(onnx):
            errors = "; ".join(str(parser.get_error(i)) for i in range(parser.num_errors))
            raise BackendError(f"TensorRT cannot parse {self._label} ({errors[:300]}); re-export the pack")
        config = builder.create_builder_config()
        config.set_memory_pool_limit(trt.MemoryPoolType.WORKSPACE, _WORKSPACE_BYTES)
        if key.precision == "fp16":
            if not getattr(builder, "platform_has_fast_fp16", True):  # deprecated in TensorRT 10
                log.warning(
                    "this GPU has no fast FP16; TensorRT builds %s in FP16 anyway",
                    self._label,
                )
            config.set_flag(trt.BuilderFlag.FP16)
        timing = config.create_timing_cache(cache.load_timing(key))
        if not config.set_timing_cache(timing, False):
            timing = config.create_timing_cache(b"")  # a cache from another setup: start afresh
            config.set_timing_cache(timing, False)
        profile = builder.create_optimization_profile()
        lo, opt, hi = key.batch_profile
        for i in range(network.num_inputs):
            tensor = network.get_input(i)
            rest = tuple(tensor.shape)[1:]
            if any(d < 0 for d in rest):
                raise BackendError(
                    f"{self._label} has dynamic non-batch dimensions {tuple(tensor.shape)}; export it at a fixed size"
                )
            profile.set_shape(tensor.name, (lo, *rest), (opt, *rest), (hi, *rest))
        config.add_optimization_profile(profile)
        serialised = builder.build_serialized_network(network, config)
        if serialised is None:
            raise BackendError(f"TensorRT could not build {self._label}; see the log above")
        try:
            cache.store_timing(key, bytes(config.get_timing_cache().serialize()))
        except OSError as exc:
            log.warning("cannot save the TensorRT timing cache (%s)", exc)
        return bytes(serialised)

    @property
    def inputs(self) -> tuple[TensorSpec, ...]:
        return tuple(self._spec(n) for n in self._inputs)

    @property
    def outputs(self) -> tuple[TensorSpec, ...]:
        return tuple(self._spec(n) for n in self._outputs)

    def _spec(self, name: str) -> TensorSpec:
        shape = tuple(d if d >= 0 else None for d in self._engine.get_tensor_shape(name))
        return TensorSpec(name, shape, str(trt.nptype(self._engine.get_tensor_dtype(name))))

    def infer(self, batch: np.ndarray) -> list[np.ndarray]:
        # Batches beyond the profile's maximum run in chunks rather than failing.
        chunks = [self._infer_chunk(batch[i : i + self._max_batch]) for i in range(0, len(batch), self._max_batch)]
        return chunks[0] if len(chunks) == 1 else [np.concatenate(parts) for parts in zip(*chunks, strict=False)]

    def _infer_chunk(self, batch: np.ndarray) -> list[np.ndarray]:
        # The current device is per thread, and inference runs on another thread than loading.
        _check(cudart.cudaSetDevice(self._device), "cudaSetDevice")
        name = self._inputs[0]
        buf = self._buffers[name]
        batch = np.ascontiguousarray(batch, dtype=buf.dtype)
        buf.ensure(batch.nbytes)
        buf.host(batch.shape)[...] = batch
        copy_in, copy_out = (
            cudart.cudaMemcpyKind.cudaMemcpyHostToDevice,
            cudart.cudaMemcpyKind.cudaMemcpyDeviceToHost,
        )
        _check(
            cudart.cudaMemcpyAsync(buf.device, buf.host_ptr, batch.nbytes, copy_in, self._stream),
            "cudaMemcpyAsync",
        )
        if not self._context.set_input_shape(name, batch.shape):
            raise BackendError(f"{self._label}: batch shape {batch.shape} is outside the engine's profile")
        self._context.set_tensor_address(name, buf.device)
        shapes = {}
        for out in self._outputs:
            shape = tuple(self._context.get_tensor_shape(out))
            shapes[out] = shape
            obuf = self._buffers[out]
            obuf.ensure(int(np.prod(shape)) * obuf.dtype.itemsize)
            self._context.set_tensor_address(out, obuf.device)
        if not self._context.execute_async_v3(int(self._stream)):
            raise BackendError(f"TensorRT failed to run {self._label}; see the log above")
        for out in self._outputs:
            obuf = self._buffers[out]
            nbytes = int(np.prod(shapes[out])) * obuf.dtype.itemsize
            _check(
                cudart.cudaMemcpyAsync(obuf.host_ptr, obuf.device, nbytes, copy_out, self._stream),
                "cudaMemcpyAsync",
            )
        _check(cudart.cudaStreamSynchronize(self._stream), "cudaStreamSynchronize")
        # Copies: the pinned buffers are reused by the next call.
        return [self._buffers[out].host(shapes[out]).astype(np.float32, copy=True) for out in self._outputs]

    def close(self) -> None:
        for buf in self._buffers.values():
            buf.free()
        if self._stream is not None:
            cudart.cudaStreamDestroy(self._stream)
            self._stream = None
        self._context = None
        self._engine = None
