// Placeholder: the HawsTUI module is being built; see Package.swift for its role.
