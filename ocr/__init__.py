"""OCR and field extraction: page images and text layers in, structured fields out."""
