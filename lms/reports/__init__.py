"""Reports: completion reports, exports (CSV, XLSX, JSON, xAPI, SIASN) and the HR API. Reads only."""
