"""Encoders, the on-disk embedding cache and similarity search."""
