"""Word lists extraction checks OCR output against: signer titles, family names."""
