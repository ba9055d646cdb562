"""Proof of presence (到场证明): signed labels, evidence, photo integrity, scores and review."""
