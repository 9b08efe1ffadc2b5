"""SOP Harmoni domain package: records, parsing, durations, comparison,
harmonisation and Excel export. Imports no streamlit."""
