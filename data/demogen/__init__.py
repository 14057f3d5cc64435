"""Generator of the offline demo bundle (data/demo/); run it with `python data/build_demo.py`.

Modules: counts (the real benchmark's targets), allocation (category counts that also
reproduce the paper's Random rows), facets + questions (item wording), images (derived
portraits), items (metadata rows), oe_text + predictions (simulated model submissions).
"""
