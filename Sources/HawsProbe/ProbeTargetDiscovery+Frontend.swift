extension ProbeTargetDiscovery {
    /// The instance a probe through HAProxy's frontend is reported under.
    ///
    /// A frontend URL belongs to no single instance (a VIP may lead to several): with one instance it is reported
    /// under it, so its event sits with that instance's; with several, under the neutral name `haproxy`.
    public static func frontendInstance(among instances: [String]) -> String {
        instances.count == 1 ? instances[0] : "haproxy"
    }
}
