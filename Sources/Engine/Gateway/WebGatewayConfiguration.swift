/// Limits of the web gateway: its WebSockets and event streams.
public struct WebGatewayConfiguration: Sendable {
    /// Largest WebSocket message (and frame) a client may send, in bytes; larger ones close the socket
    /// with 1009. Room for a 1 MiB file chunk in base64 plus its envelope; the pipeline's own 64 KiB payload
    /// limit (uploads excepted) still answers `too_large` below it.
    public var maxMessageSize: Int
    /// Frames queued at most for one connection before it counts as a slow consumer and is closed (1008).
    public var queueCapacity: Int
    /// Bytes queued at most for one connection before it counts as a slow consumer and is closed (1008).
    public var maxQueuedBytes: Int
    /// Seconds between pings the server sends to find dead connections.
    public var pingInterval: Int
    /// Seconds between the comment lines an idle event stream is sent, so proxies keep it open.
    public var keepAliveInterval: Double

    /// - Parameters: see the properties.
    public init(
        maxMessageSize: Int = 2 * 1024 * 1024,
        queueCapacity: Int = 1024,
        maxQueuedBytes: Int = 16 * 1024 * 1024,
        pingInterval: Int = 30,
        keepAliveInterval: Double = 15
    ) {
        self.maxMessageSize = maxMessageSize
        self.queueCapacity = queueCapacity
        self.maxQueuedBytes = maxQueuedBytes
        self.pingInterval = pingInterval
        self.keepAliveInterval = keepAliveInterval
    }
}
