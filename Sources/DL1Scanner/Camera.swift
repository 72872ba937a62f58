internal import CZBar
import DL1Raster
import Foundation

/// A V4L2 camera read through zbar's video support, one grey frame at a time.
///
/// Not `Sendable`: one thread owns a camera. Frames are copied out of zbar's buffers, so a
/// frame stays valid after the next one is taken.
public final class Camera {
    /// Why a camera could not be opened or stopped delivering frames.
    public struct CameraError: Error, Sendable, CustomStringConvertible {
        /// The explanation, naming the device.
        public let description: String

        /// An error with its explanation (frame sources other than a camera report this way too).
        public init(description: String) { self.description = description }
    }

    /// The device path, e.g. /dev/video0.
    public let device: String
    private let video: OpaquePointer

    /// Opens `device` and starts capturing. Fails with a message naming the device when it
    /// does not exist, is not a camera, or offers no format zbar can convert to grey.
    public init(device: String) throws(CameraError) {
        self.device = device
        guard FileManager.default.fileExists(atPath: device) else {
            throw CameraError(description: "no camera at \(device): the device does not exist (is a camera connected, and is its driver loaded?)")
        }
        // Every check runs on a local: `self.video` is set only once the camera works, so a
        // failed init never reaches deinit (which would release the device a second time).
        guard let video = zbar_video_create() else { throw CameraError(description: "cannot start zbar's video support") }
        guard zbar_video_open(video, device) == 0 else {
            let detail = Self.zbarError(video)
            zbar_video_destroy(video)
            throw CameraError(description: "cannot open the camera \(device): \(detail)")
        }
        guard zbar_negotiate_format(video, nil) == 0 else {
            let detail = Self.zbarError(video)
            zbar_video_destroy(video)
            throw CameraError(description: "the camera \(device) offers no image format zbar can read: \(detail)")
        }
        guard zbar_video_enable(video, 1) == 0 else {
            let detail = Self.zbarError(video)
            zbar_video_destroy(video)
            throw CameraError(description: "the camera \(device) does not start capturing: \(detail)")
        }
        self.video = video
    }

    deinit {
        zbar_video_enable(video, 0)
        zbar_video_destroy(video)
    }

    /// The next frame as grey pixels; blocks until the camera delivers one.
    public func nextFrame() throws(CameraError) -> GreyImage {
        guard let frame = zbar_video_next_image(video) else {
            throw CameraError(description: "the camera \(device) stopped delivering frames: \(Self.zbarError(video))")
        }
        defer { zbar_image_destroy(frame) }
        guard let grey = zbar_image_convert(frame, dl1_zbar_fourcc_Y800()) else {
            throw CameraError(description: "a frame from \(device) cannot be converted to grey")
        }
        defer { zbar_image_destroy(grey) }
        let width = Int(zbar_image_get_width(grey)), height = Int(zbar_image_get_height(grey))
        let length = Int(zbar_image_get_data_length(grey))
        guard width > 0, height > 0, length >= width * height, let data = zbar_image_get_data(grey) else {
            throw CameraError(description: "an empty frame came from \(device)")
        }
        let pixels = Array(UnsafeRawBufferPointer(start: data, count: width * height))
        return GreyImage(width: width, height: height, pixels: pixels)
    }

    private static func zbarError(_ video: OpaquePointer) -> String {
        // zbar's text is "ERROR: zbar video in <function>():\n    <what happened>": keep the second part.
        guard let text = zbar_video_error_string(video, 0) else { return "unknown error" }
        let lines = String(cString: text).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.last ?? "unknown error"
    }
}
