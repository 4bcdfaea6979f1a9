"""Head pose from FaceMesh's 3D landmarks: a face frame built from the mesh itself.

The mesh gives every point a depth in the same units as x and y, so three directions fix
the head's orientation without a fitted 3D template: the line between the outer eye
corners (the face's x axis), the forehead-to-chin line made orthogonal to it (y), and their
cross product (the direction the face points, into the image when frontal). Roll is the
eye line's angle in the image, so a rotation of the picture moves it by exactly that angle.
"""

from __future__ import annotations

import numpy as np

from .facemesh import CHIN, EYE_OUTER_LEFT, EYE_OUTER_RIGHT, FOREHEAD


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-9)


def head_pose(mesh: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees from (468, 3) frame-pixel landmarks (x right, y down, z away).

    yaw > 0: the face turns towards the image's right; pitch > 0: it tilts up;
    roll > 0: the eye line turns clockwise on screen.
    """
    x_axis = _unit(mesh[EYE_OUTER_LEFT] - mesh[EYE_OUTER_RIGHT])
    down = mesh[CHIN] - mesh[FOREHEAD]
    y_axis = _unit(down - np.dot(down, x_axis) * x_axis)
    forward = np.cross(x_axis, y_axis)  # points away from the camera for a frontal face
    yaw = np.degrees(np.arcsin(np.clip(-forward[0], -1.0, 1.0)))
    pitch = np.degrees(np.arcsin(np.clip(forward[1], -1.0, 1.0)))
    roll = np.degrees(np.arctan2(x_axis[1], x_axis[0]))
    return float(yaw), float(pitch), float(roll)
