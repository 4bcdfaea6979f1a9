"""Which precision 'auto' settles on, per device and per what the member has."""

from cer_live.models.backends.base import BackendOptions, resolve_precision


def test_auto_is_int8_on_the_cpu_only_when_the_member_has_it():
    auto = BackendOptions(precision="auto")
    assert resolve_precision(auto, has_fp16=True, has_int8=True) == "int8"
    assert resolve_precision(auto, has_fp16=True, has_int8=False) == "fp32"
    cuda = BackendOptions(precision="auto", device="cuda")
    assert resolve_precision(cuda, has_fp16=True, has_int8=True) == "fp16"
    assert resolve_precision(cuda, has_fp16=False, has_int8=True) == "fp32"
    assert resolve_precision(BackendOptions(precision="fp32"), has_int8=True) == "fp32"
