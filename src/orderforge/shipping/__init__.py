"""Shipping: packing, papers, shipping with a carrier, delivery confirmation, on-time delivery."""
