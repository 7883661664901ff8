"""The signatures stage: verifying the digital signatures a PDF carries against the trust
store (``verify``, ``trust``), and signing a digitised copy as its agency (``sign``); pyHanko's blocking calls kept out
of a running event loop (``blocking``)."""
