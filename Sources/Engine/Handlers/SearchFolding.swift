import Foundation

/// How search compares text: case- and diacritic-insensitively ("Café" finds "cafe").
enum SearchFolding {
    @Sendable static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }
}
