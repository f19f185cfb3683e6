"""Domain logic of Lettertrail: plain functions that never import Flask."""
