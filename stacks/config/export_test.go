package config

// MaxFile is maxFile, for the external tests.
const MaxFile = maxFile
