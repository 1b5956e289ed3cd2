"""Readers: files and sheets in, validated frames out (the input boundary)."""
