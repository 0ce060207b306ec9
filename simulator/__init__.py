"""Reference Management Tool cluster: an independent implementation of the v1 contract.

It imports nothing from ``app`` or ``ui`` so that a mistake shared by client and
server cannot hide.
"""
