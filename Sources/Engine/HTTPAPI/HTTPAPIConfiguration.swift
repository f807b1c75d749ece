/// Settings of the HTTP API.
public struct HTTPAPIConfiguration: Sendable {
    /// Seconds an API call waits for its reply before it is answered 503 (the engine is shutting down, or
    /// overloaded beyond its lanes). The request may still be applied: a retry with the same request id
    /// is answered from the engine's de-duplication.
    public var replyTimeout: Double

    /// - Parameters: see the properties.
    public init(replyTimeout: Double = 30) {
        self.replyTimeout = replyTimeout
    }
}
