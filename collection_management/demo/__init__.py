# The generator of the demo book (generator.py) is plain Python, not a model: no RPC
# call reaches it. The demo data run it through res.company._collection_demo_load.
