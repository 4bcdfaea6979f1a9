"""What the face front ends (faces/) and the models (models/) both need, below both of them:
the detector's settings, the alignment templates and the five-point warp.

Plain data and one warp, importing nothing of either, so that neither package reaches up
into the other.
"""
