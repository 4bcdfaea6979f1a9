"""Conversion of upstream weights into pack members (export-time only; needs the export extra)."""
