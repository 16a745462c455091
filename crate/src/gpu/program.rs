//! Buffers and recorded dispatches on a [`Gpu`]: what a compiled candidate is made of.
//! Bind groups and uniforms are made once per candidate and reused by every step.

use super::context::Gpu;
use super::kernels::Kernel;
use crate::{bail, Result};

/// The sizes and scalars a kernel reads from its `Dims` uniform (wgsl/prelude.wgsl).
#[derive(Clone, Copy, Debug, Default)]
pub struct Dims {
    pub n: u32,
    pub c: u32,
    pub h: u32,
    pub w: u32,
    pub oc: u32,
    pub oh: u32,
    pub ow: u32,
    pub k: u32,
    pub stride: u32,
    pub pad: u32,
    pub groups: u32,
    pub total: u32,
    /// Where a dispatch doing two things switches from the first to the second (its threads).
    pub split: u32,
    /// Copies of an arena's parts a kernel writes or sums, and the values from one to the next.
    pub copies: u32,
    pub copy_stride: u32,
    pub s: [f32; 4],
}

impl Dims {
    fn bytes(&self) -> Vec<u8> {
        let ints = [
            self.n,
            self.c,
            self.h,
            self.w,
            self.oc,
            self.oh,
            self.ow,
            self.k,
            self.stride,
            self.pad,
            self.groups,
            self.total,
            self.split,
            self.copies,
            self.copy_stride,
        ];
        let mut bytes: Vec<u8> = ints.iter().flat_map(|v| v.to_le_bytes()).collect();
        bytes.extend(self.s.iter().flat_map(|v| v.to_le_bytes()));
        bytes
    }
}

/// A storage buffer of f32 (or u32) values, or one part of an arena (a buffer shared by several).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buf(usize);

/// Where a [`Buf`] lies: its buffer, its first byte and its length in values.
#[derive(Clone, Copy, Debug)]
struct View {
    buffer: usize,
    offset: u64,
    len: usize,
}

impl View {
    /// Bytes bound or copied: at least one value, as WebGPU forbids empty bindings.
    fn size(&self) -> u64 {
        4 * self.len.max(1) as u64
    }
}

/// How many workgroups a dispatch launches.
#[derive(Clone, Copy, Debug)]
pub enum Grid {
    /// One 256-thread workgroup per 256 threads.
    Threads(usize),
    /// This many workgroups.
    Groups(usize),
}

/// Buffers sharing one allocation: see [`Program::arena`].
pub struct Arena {
    pub whole: Buf,
    pub parts: Vec<Buf>,
    pub copies: usize,
    /// Values from one copy of the parts to the next.
    pub stride: usize,
}

/// A dispatch ready to encode.
pub struct Prepared {
    kernel: Kernel,
    bind_group: wgpu::BindGroup,
    groups: (u32, u32),
}

/// Workgroups per dimension allowed by WebGPU's default limits.
const MAX_GROUPS_PER_AXIS: usize = 65_535;

/// The buffers of one candidate.
pub struct Program<'g> {
    pub gpu: &'g Gpu,
    buffers: Vec<wgpu::Buffer>,
    views: Vec<View>,
}

impl<'g> Program<'g> {
    /// A program on `gpu`, which must still be usable (not lost, no error so far).
    pub fn new(gpu: &'g Gpu) -> Result<Self> {
        gpu.ensure_usable()?;
        Ok(Self {
            gpu,
            buffers: vec![],
            views: vec![],
        })
    }

    fn view(&mut self, view: View) -> Buf {
        self.views.push(view);
        Buf(self.views.len() - 1)
    }

    fn create(&mut self, values: usize) -> usize {
        let buffer = self.gpu.device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: 4 * values.max(1) as u64,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        self.buffers.push(buffer);
        self.buffers.len() - 1
    }

    /// A zeroed buffer of `len` values.
    pub fn zeros(&mut self, len: usize) -> Buf {
        let buffer = self.create(len);
        self.view(View { buffer, offset: 0, len })
    }

    /// One zeroed buffer holding parts of `lens` values, each at an offset the device can bind,
    /// `copies` times over (copy c of every part lies `stride` values after copy 0's), or once
    /// where so many would not fit one binding: the whole (for a dispatch or a clear over every
    /// part at once), copy 0's parts, and the stride. Between parts lies padding, zeros that no
    /// kernel writes but one run over the whole.
    pub fn arena(&mut self, lens: &[usize], copies: usize) -> Arena {
        let align = (self.gpu.device.limits().min_storage_buffer_offset_alignment as usize / 4).max(1);
        let mut offsets = vec![];
        let mut end = 0;
        for &len in lens {
            offsets.push(end);
            end = (end + len.max(1)).next_multiple_of(align);
        }
        let copies = match end * copies <= self.max_binding() {
            true => copies.max(1),
            false => 1,
        };
        let buffer = self.create(end * copies);
        let whole = self.view(View {
            buffer,
            offset: 0,
            len: end * copies,
        });
        let parts = offsets
            .into_iter()
            .zip(lens)
            .map(|(at, &len)| {
                self.view(View {
                    buffer,
                    offset: 4 * at as u64,
                    len,
                })
            })
            .collect();
        Arena {
            whole,
            parts,
            copies,
            stride: end,
        }
    }

    /// Part `i` of `arena` together with its further copies, as one binding.
    pub fn with_copies(&mut self, arena: &Arena, i: usize) -> Buf {
        let view = self.views[arena.parts[i].0];
        self.view(View {
            len: (arena.copies - 1) * arena.stride + view.len,
            ..view
        })
    }

    /// Where `buf` starts in its buffer, in values (for reading an arena's parts from its whole;
    /// the kernel check's, in developer builds only).
    #[cfg_attr(not(feature = "devtools"), allow(dead_code))]
    pub fn offset(&self, buf: Buf) -> usize {
        self.views[buf.0].offset as usize / 4
    }

    /// The largest buffer one binding may span, in values.
    pub fn max_binding(&self) -> usize {
        (self.gpu.device.limits().max_storage_buffer_binding_size / 4) as usize
    }

    fn with_bytes(&mut self, bytes: &[u8], len: usize) -> Buf {
        let buf = self.zeros(len);
        self.write_bytes(buf, bytes);
        buf
    }

    fn write_bytes(&self, buf: Buf, bytes: &[u8]) {
        let view = self.views[buf.0];
        if !bytes.is_empty() {
            self.gpu
                .queue
                .write_buffer(&self.buffers[view.buffer], view.offset, bytes);
        }
    }

    pub fn upload(&mut self, values: &[f32]) -> Buf {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.with_bytes(&bytes, values.len())
    }

    pub fn upload_u32(&mut self, values: &[u32]) -> Buf {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.with_bytes(&bytes, values.len())
    }

    /// Overwrites a buffer's values.
    pub fn write(&self, buf: Buf, values: &[f32]) -> Result<()> {
        let view = self.views[buf.0];
        if values.len() != view.len {
            bail!("{} values for a buffer of {}", values.len(), view.len)
        }
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.write_bytes(buf, &bytes);
        Ok(())
    }

    pub fn len(&self, buf: Buf) -> usize {
        self.views[buf.0].len
    }

    /// Binds `buffers` (binding index, buffer) and the uniform `dims` (binding 0) for `kernel`.
    pub fn prepare(&mut self, kernel: Kernel, dims: Dims, buffers: &[(u32, Buf)], grid: Grid) -> Result<Prepared> {
        let groups = match grid {
            Grid::Threads(t) => t.div_ceil(256),
            Grid::Groups(g) => g,
        };
        if groups > MAX_GROUPS_PER_AXIS * MAX_GROUPS_PER_AXIS {
            bail!("a dispatch of {groups} workgroups is beyond the GPU's limits")
        }
        let x = groups.clamp(1, MAX_GROUPS_PER_AXIS);
        let y = groups.div_ceil(MAX_GROUPS_PER_AXIS).max(1);
        let device = &self.gpu.device;
        let bytes = dims.bytes();
        let uniform = device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: bytes.len() as u64,
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        self.gpu.queue.write_buffer(&uniform, 0, &bytes);
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: uniform.as_entire_binding(),
        }];
        for &(binding, buf) in buffers {
            let view = self.views[buf.0];
            entries.push(wgpu::BindGroupEntry {
                binding,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: &self.buffers[view.buffer],
                    offset: view.offset,
                    size: wgpu::BufferSize::new(view.size()),
                }),
            });
        }
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &self.gpu.pipeline(kernel).get_bind_group_layout(0),
            entries: &entries,
        });
        Ok(Prepared {
            kernel,
            bind_group,
            groups: (x as u32, y as u32),
        })
    }

    /// Records `dispatches` in order into one compute pass.
    pub fn encode(&self, encoder: &mut wgpu::CommandEncoder, dispatches: &[Prepared]) {
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
        for d in dispatches {
            pass.set_pipeline(self.gpu.pipeline(d.kernel));
            pass.set_bind_group(0, &d.bind_group, &[]);
            pass.dispatch_workgroups(d.groups.0, d.groups.1, 1);
        }
    }

    /// Zeroes `bufs` (outside any pass).
    pub fn clear(&self, encoder: &mut wgpu::CommandEncoder, bufs: &[Buf]) {
        for b in bufs {
            let view = self.views[b.0];
            encoder.clear_buffer(&self.buffers[view.buffer], view.offset, Some(view.size()));
        }
    }

    /// Submits `encoder` with copies of `reads` appended, waits, and returns their values; a
    /// validation error or a lost device is an error.
    pub async fn submit_and_read(&self, mut encoder: wgpu::CommandEncoder, reads: &[Buf]) -> Result<Vec<Vec<f32>>> {
        let device = &self.gpu.device;
        let staging: Vec<wgpu::Buffer> = reads
            .iter()
            .map(|b| {
                let view = self.views[b.0];
                let s = device.create_buffer(&wgpu::BufferDescriptor {
                    label: None,
                    size: view.size(),
                    usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                    mapped_at_creation: false,
                });
                encoder.copy_buffer_to_buffer(&self.buffers[view.buffer], view.offset, &s, 0, view.size());
                s
            })
            .collect();
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        self.gpu.queue.submit([encoder.finish()]);
        if let Some(e) = scope.pop().await {
            bail!("the GPU ({}) refused the work: {e}", self.gpu.adapter)
        }
        self.gpu.ensure_usable()?;
        let mut out = vec![];
        for (s, b) in staging.iter().zip(reads) {
            let (tx, rx) = futures_channel::oneshot::channel();
            s.slice(..).map_async(wgpu::MapMode::Read, move |r| {
                let _ = tx.send(r.is_ok());
            });
            #[cfg(not(target_arch = "wasm32"))]
            let _ = device.poll(wgpu::PollType::wait_indefinitely());
            if !rx.await.unwrap_or(false) || self.gpu.is_lost() {
                bail!("the GPU ({}) was lost before the results came back", self.gpu.adapter)
            }
            let bytes = match s.slice(..).get_mapped_range() {
                Ok(view) => view,
                Err(e) => bail!("the GPU's results could not be read: {e}"),
            };
            let values = bytes
                .chunks_exact(4)
                .take(self.views[b.0].len)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            drop(bytes);
            s.unmap();
            out.push(values);
        }
        Ok(out)
    }
}
