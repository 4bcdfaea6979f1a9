"""The `cer-live` sub-commands: each module adds its parser and runs it (`add_parser`, `run`)."""
