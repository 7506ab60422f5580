extension Duration {
    /// The duration in seconds as a `Double` (rates, costs, deadlines): the one conversion every module uses.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
