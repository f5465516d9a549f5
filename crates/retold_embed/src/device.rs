//! Picking the candle device from a [`DevicePref`].

use candle_core::Device;

use crate::{DevicePref, EmbedError};

/// The device for `pref`: `Cpu` always works; `Auto` takes CUDA device 0 when this build has
/// the `cuda` feature and a GPU answers, else the CPU; `Cuda` fails with
/// [`EmbedError::NoGpu`] when no GPU is usable.
pub(crate) fn select(pref: DevicePref) -> Result<Device, EmbedError> {
    match pref {
        DevicePref::Cpu => Ok(Device::Cpu),
        DevicePref::Auto => Ok(cuda().unwrap_or(Device::Cpu)),
        DevicePref::Cuda => cuda(),
    }
}

#[cfg(feature = "cuda")]
fn cuda() -> Result<Device, EmbedError> {
    if !candle_core::utils::cuda_is_available() {
        return Err(EmbedError::NoGpu(
            "candle was built with CUDA but reports it unavailable".into(),
        ));
    }
    Device::new_cuda(0).map_err(|e| EmbedError::NoGpu(e.to_string()))
}

#[cfg(not(feature = "cuda"))]
fn cuda() -> Result<Device, EmbedError> {
    Err(EmbedError::NoGpu(
        "this build of retold has no CUDA support (rebuild with the `cuda` feature)".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_and_auto_work_without_gpu() {
        assert!(select(DevicePref::Cpu).unwrap().is_cpu());
        assert!(select(DevicePref::Auto).is_ok());
        #[cfg(not(feature = "cuda"))]
        assert!(matches!(
            select(DevicePref::Cuda),
            Err(EmbedError::NoGpu(_))
        ));
    }
}
