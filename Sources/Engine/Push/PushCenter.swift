import Actors
import Foundation
import Logging
import Wire

/// Push (SPEC §11): users' registered devices, and with a webhook configured, the queue of notifications
/// for users who are not online, which `PushSender` POSTs to the push gateway.
public final class PushCenter: Sendable {
    let devices = PushDirectory()
    let configuration: PushConfiguration
    /// Nil without `--push-webhook-url`: devices are kept, nothing is queued.
    let target: WebhookTarget?
    let secret: [UInt8]
    let queue: PushQueue?
    let logger: Logger

    /// - Throws: `ConfigurationError` for a webhook URL that is not `http://…`, or one without a secret.
    init(configuration: PushConfiguration, log: any ChangeLog, logger: Logger, metrics: PushMetrics) throws(ConfigurationError) {
        self.configuration = configuration
        self.logger = logger
        target = try configuration.webhook()
        secret = Array((configuration.webhookSecret ?? "").utf8)
        guard target != nil else {
            queue = nil
            return
        }
        queue = PushQueue(
            limit: configuration.queueLimit, byteLimit: configuration.queueBytes, backoff: PushBackoff(configuration),
            metrics: metrics
        ) { entry in
            do {
                _ = try log.append(entry, origin: nil)
            } catch {
                // The push still goes out from memory; only a restart before it does would lose it.
                logger.error("journal append of a push failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Queues a push of `notification` (a serialized JSON object) for `userId`, who is not online, when a
    /// webhook is configured and they have registered a device; otherwise nothing happens.
    func offer(_ notification: [UInt8], to userId: String, now: Double) {
        guard let queue else { return }
        let registered = devices.devices(of: userId)
        guard !registered.isEmpty else { return }
        let id = UUID().uuidString.lowercased()
        let body = Self.body(id: id, userId: userId, devices: registered, notification: notification)
        queue.enqueue(PendingPush(id: id, userId: userId, body: body, queuedAt: now))
    }

    /// The POST body: `{"push_id", "user_id", "devices": [{device_id, platform, push_token, app_id}],
    /// "notification": {…}}`, the notification's bytes as they went to the user's notifications topic.
    static func body(id: String, userId: String, devices: [PushDevice], notification: [UInt8]) -> [UInt8] {
        var writer = JSONWriter(capacity: notification.count + 128 + devices.count * 256)
        writer.beginObject()
        writer.key("push_id")
        writer.string(id)
        writer.key("user_id")
        writer.string(userId)
        writer.key("devices")
        writer.beginArray()
        for device in devices {
            writer.beginObject()
            writer.key("device_id")
            writer.string(device.deviceId)
            writer.key("platform")
            writer.string(device.platform)
            writer.key("push_token")
            writer.string(device.pushToken)
            writer.key("app_id")
            writer.string(device.appId)
            writer.endObject()
        }
        writer.endArray()
        writer.key("notification")
        writer.raw(notification)
        writer.endObject()
        return writer.bytes
    }

    // MARK: Snapshots and restarts

    /// Loads recovered devices and pending pushes (pushes only when a webhook is configured: without one
    /// they are dropped, and counted, at the next snapshot).
    func restore(devices recovered: [String: [PushDevice]], pending: [PendingPush]) {
        devices.restore(recovered)
        if let queue {
            queue.restore(pending)
        } else if !pending.isEmpty {
            logger.warning("pending pushes dropped: no push-webhook-url is set", metadata: ["count": "\(pending.count)"])
        }
    }

    /// The pending pushes, oldest first, for snapshots.
    var pending: [PendingPush] { queue?.pending ?? [] }
}
