"""The application around the library: configuration, local keys, the demo and its summary,
and the secretariat's runs that the brownie scripts call. The `waico` CLI (`ledger.cli`) is its
face.
"""
