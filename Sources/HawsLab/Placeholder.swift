// Placeholder: the HawsLab module is being built; see Package.swift for its role.
