"""Photos: upload pipeline (Pillow) and storage (local disk now, S3-compatible later)."""
