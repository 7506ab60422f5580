// Placeholder: the HawsProbe module is being built; see Package.swift for its role.
