import DL1Raster
import DL1Scanner

/// Where live frames come from: a camera, or a test's sequence of pictures.
public protocol FrameSource: AnyObject {
    /// The next frame; blocks until there is one. Throws when no more will come.
    func nextFrame() throws(Camera.CameraError) -> GreyImage
}

extension Camera: FrameSource {}
