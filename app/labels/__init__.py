"""QR labels: the URL a checkpoint's label encodes and the printable A4 sheet."""
