"""The X12 layer: delimiters, text safety, segment writing and streaming reading."""
