// Placeholder: the HawsAgent module is being built; see Package.swift for its role.
