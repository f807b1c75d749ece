extension ChatEngine {
    /// True once the engine is ready and while both broker connections are up; `/healthz` answers 200.
    public var isHealthy: Bool {
        intake.isReady.load(ordering: .acquiring) && inbound.isConnected && outbound.isConnected
    }
}
