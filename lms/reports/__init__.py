"""Reports: completion reports and exports (CSV, XLSX, JSON, xAPI, SIASN). Reads only."""
