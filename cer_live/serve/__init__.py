"""The live browser preview behind `cer-live run --serve`: a page with a tile per source."""
