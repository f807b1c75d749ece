/// The push webhook's settings (SPEC §11): where notifications for users who are not online are POSTed,
/// how they are signed, and how much the queue of undelivered ones may hold.
public struct PushConfiguration: Sendable {
    /// `http://host[:port]/path`; nil = no webhook (devices are still kept, nothing is queued).
    public var webhookURL: String?
    /// The HMAC-SHA256 key of the `X-Chat-Signature` header; required with a webhook URL.
    public var webhookSecret: String?
    /// Pushes waiting for the webhook, at most; beyond it the oldest is dropped.
    public var queueLimit: Int
    /// Bytes of pending push bodies, at most; beyond it the oldest are dropped.
    public var queueBytes: Int
    /// POSTs in flight at once (one per user at a time: a user's pushes arrive in order).
    public var concurrency: Int
    /// Seconds a POST may take, connecting included, before it counts as failed.
    public var timeout: Double
    /// Seconds after queuing during which a failed push is retried; then it is dropped.
    public var retryWindow: Double
    /// The first retry's delay in seconds; each further one doubles it (with jitter), up to `maxRetryDelay`.
    public var retryDelay: Double
    public var maxRetryDelay: Double

    /// - Parameters: see the properties; the defaults are the documented ones (docs/OPERATIONS.md, "Push").
    public init(
        webhookURL: String? = nil, webhookSecret: String? = nil, queueLimit: Int = 10_000, queueBytes: Int = 16 << 20,
        concurrency: Int = 4, timeout: Double = 10, retryWindow: Double = 3600, retryDelay: Double = 1, maxRetryDelay: Double = 300
    ) {
        self.webhookURL = webhookURL
        self.webhookSecret = webhookSecret
        self.queueLimit = queueLimit
        self.queueBytes = queueBytes
        self.concurrency = concurrency
        self.timeout = timeout
        self.retryWindow = retryWindow
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
    }

    /// The webhook's address, checked; nil without a webhook.
    /// - Throws: `ConfigurationError` for a URL that is not `http://host[:port][/path]`, or a missing secret.
    func webhook() throws(ConfigurationError) -> WebhookTarget? {
        guard let webhookURL else { return nil }
        guard let target = WebhookTarget(url: webhookURL) else {
            throw ConfigurationError("push-webhook-url must be http://host[:port][/path] (https: put a TLS proxy in front), got '\(webhookURL)'")
        }
        guard let webhookSecret, !webhookSecret.isEmpty else {
            throw ConfigurationError("push-webhook-url needs push-webhook-secret (CHAT_PUSH_WEBHOOK_SECRET): the gateway checks every push's signature")
        }
        return target
    }
}

/// Where the webhook listens, parsed from `http://host[:port][/path][?query]`.
struct WebhookTarget: Sendable, Equatable {
    var host: String
    var port: Int
    /// Path and query, at least `/`.
    var path: String

    init(host: String, port: Int, path: String) {
        self.host = host
        self.port = port
        self.path = path
    }

    init?(url: String) {
        guard url.lowercased().hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if path.isEmpty || path.first == "?" { path = "/" + path }
        var host = String(authority)
        var port = 80
        if authority.hasPrefix("[") {
            // [v6]:port
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let tail = authority[authority.index(after: close)...]
            if !tail.isEmpty {
                guard tail.first == ":", let number = Int(tail.dropFirst()) else { return nil }
                port = number
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let number = Int(authority[authority.index(after: colon)...]) else { return nil }
            port = number
        }
        guard !host.isEmpty, !host.contains("@"), (1...65535).contains(port) else { return nil }
        self.host = host
        self.port = port
        self.path = path
    }

    /// The `Host` header's value.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? name : "\(name):\(port)"
    }
}
