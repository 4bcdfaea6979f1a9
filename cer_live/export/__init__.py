"""Turning trained checkpoints into a model pack: ONNX export, FP16, fused graph, parity.

Needs the `train` extra (torch, torchvision, onnx); nothing here runs at inference time.
"""
