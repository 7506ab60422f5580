import HawsTestSupport

/// HawsTestSupport's temporary directory, visible to every file of this target without an import of its own.
typealias TemporaryDirectory = HawsTestSupport.TemporaryDirectory
