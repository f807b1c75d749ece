/// A device a user registered for push (`chat/push/register`): where the push gateway delivers.
public struct PushDevice: Sendable, Equatable {
    /// The client's own name for the device, unique per user.
    public var deviceId: String
    /// `apns`, `fcm`, `webpush` or `webhook`.
    public var platform: String
    /// The platform's token for the device (an APNs device token, an FCM registration token, a Web Push
    /// subscription, a URL), opaque to the engine.
    public var pushToken: String
    /// The app the token belongs to (bundle id, FCM sender/app id), for a gateway serving several apps.
    public var appId: String
    public var registeredAt: Double

    public init(deviceId: String, platform: String, pushToken: String, appId: String, registeredAt: Double) {
        self.deviceId = deviceId
        self.platform = platform
        self.pushToken = pushToken
        self.appId = appId
        self.registeredAt = registeredAt
    }
}

/// A push waiting to be POSTed to the webhook: the exact body (what the signature covers), kept until the
/// gateway accepts it, its retries run out or the queue's bound drops it.
public struct PendingPush: Sendable, Equatable {
    /// Unique; also the body's `push_id`, so a gateway can drop a push it already had (after a crash the
    /// engine may send one again: delivery is at least once).
    public var id: String
    public var userId: String
    public var body: [UInt8]
    /// Unix seconds when the notification was queued; retries stop an hour (the retry window) after it.
    public var queuedAt: Double

    public init(id: String, userId: String, body: [UInt8], queuedAt: Double) {
        self.id = id
        self.userId = userId
        self.body = body
        self.queuedAt = queuedAt
    }
}
