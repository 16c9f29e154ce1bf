"""Domain rules of 涉企行政检查 that are plain functions over records: codes, policy documents, vocabularies."""
