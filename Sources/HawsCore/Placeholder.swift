// Placeholder: the HawsCore module is being built; see Package.swift for its role.
