"""The register of issued results: the list each level's one-stop information system keeps
of the results it issued, loaded from its CSV or XLSX export (``rows``), kept with its
import history (``store``). It is the denominator of digitisation progress: what the
archive should hold."""
