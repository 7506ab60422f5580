// Placeholder: the HawsClient module is being built; see Package.swift for its role.
