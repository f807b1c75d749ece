import MQTT
/// Every tunable of the engine, with the contract's defaults in one place (SPEC §6, §8, §9).
public struct EngineConfiguration: Sendable {
    public var mqttHost: String
    public var mqttPort: Int
    public var mqttUsername: String?
    public var mqttPassword: String?
    /// The inbound connection's client id; the outbound one appends `-out`.
    public var clientID: String
    /// HS256 secret for tokens, at least 32 bytes.
    public var jwtSecret: [UInt8]
    /// Where snapshots, the journal and files live; nil keeps everything in memory only.
    public var dataDirectory: String?
    /// Requests per minute per user; 0 = off.
    public var rateLimit: Int
    public var maxContentLength: Int
    public var maxPayloadBytes: Int
    public var ringCapacity: Int
    public var maxRoomMembers: Int
    public var shorteners: [String]
    public var profanity: [String]
    /// Seconds an online/away status lasts without a refresh.
    public var presenceTTL: Double
    /// Seconds a typing indicator lasts without a refresh.
    public var typingTTL: Double
    /// Ordered lanes handling requests in parallel.
    public var laneCount: Int
    /// Requests each lane buffers before the broker is pushed back.
    public var laneCapacity: Int
    /// Journal fsync policy: `always`, `everysec` or `no`.
    public var fsync: String
    /// Seconds between periodic snapshots.
    public var snapshotInterval: Double
    /// Changes after which a snapshot is written even before the interval.
    public var snapshotChanges: Int
    /// Largest file upload in bytes.
    public var maxFileSize: Int
    /// Seconds an incomplete chunked upload is kept.
    public var uploadTTL: Double
    /// Start with empty state when snapshot files exist but none can be read (otherwise refuse to start).
    public var allowEmptyStart: Bool
    /// How room events reach members.
    public var fanout: Fanout
    /// What one user, and all users together, can make the engine hold.
    public var limits: UserLimits
    /// The push webhook (SPEC §11); without a URL, devices are kept and nothing is sent.
    public var push: PushConfiguration

    /// - Parameters: see the properties; defaults are the contract's.
    public init(
        mqttHost: String = "127.0.0.1",
        mqttPort: Int = 1883,
        mqttUsername: String? = nil,
        mqttPassword: String? = nil,
        clientID: String = "chat-engine",
        jwtSecret: [UInt8],
        dataDirectory: String? = "./snapshots",
        rateLimit: Int = 100,
        maxContentLength: Int = 4000,
        maxPayloadBytes: Int = 64 * 1024,
        ringCapacity: Int = 1000,
        maxRoomMembers: Int = 100_000,
        shorteners: [String] = ["bit.ly", "tinyurl.com"],
        profanity: [String] = ProfanityList.default,
        presenceTTL: Double = 300,
        typingTTL: Double = 10,
        laneCount: Int = 8,
        laneCapacity: Int = 256,
        fsync: String = "everysec",
        snapshotInterval: Double = 60,
        snapshotChanges: Int = 10_000,
        maxFileSize: Int = 10 * 1024 * 1024,
        uploadTTL: Double = 600,
        allowEmptyStart: Bool = false,
        fanout: Fanout = .inbox,
        limits: UserLimits = UserLimits(),
        push: PushConfiguration = PushConfiguration()
    ) {
        self.mqttHost = mqttHost
        self.mqttPort = mqttPort
        self.mqttUsername = mqttUsername
        self.mqttPassword = mqttPassword
        self.clientID = clientID
        self.jwtSecret = jwtSecret
        self.dataDirectory = dataDirectory
        self.rateLimit = rateLimit
        self.maxContentLength = maxContentLength
        self.maxPayloadBytes = maxPayloadBytes
        self.ringCapacity = ringCapacity
        self.maxRoomMembers = maxRoomMembers
        self.shorteners = shorteners
        self.profanity = profanity
        self.presenceTTL = presenceTTL
        self.typingTTL = typingTTL
        self.laneCount = laneCount
        self.laneCapacity = laneCapacity
        self.fsync = fsync
        self.snapshotInterval = snapshotInterval
        self.snapshotChanges = snapshotChanges
        self.maxFileSize = maxFileSize
        self.uploadTTL = uploadTTL
        self.allowEmptyStart = allowEmptyStart
        self.fanout = fanout
        self.limits = limits
        self.push = push
    }

    /// The brokers `mqttHost` names: a comma-separated list of `host[:port]`, `mqttPort` where a port is
    /// left out. The engine connects to the first that answers and moves on when its broker goes away.
    public var mqttBrokers: [MQTTBrokerAddress] {
        get throws(ConfigurationError) {
            guard let brokers = MQTTBrokerAddress.list(mqttHost, defaultPort: mqttPort) else {
                throw ConfigurationError("mqtt-host must be a comma-separated list of host[:port], got '\(mqttHost)'")
            }
            return brokers
        }
    }
}
