# Devices built into qemu-system-aarch64 for qemu-pcc: the virt machine,
# the PCI pieces that its ACPI builder and pxb need (CXL with them), and
# the PCC device classes (the PCC bus itself comes with ARM_VIRT).
# --without-default-devices ignores Kconfig's "default y": name each one.
CONFIG_ARM_VIRT=y
CONFIG_VIRTIO_PCI=y
CONFIG_PCIE_PORT=y
CONFIG_PXB=y
CONFIG_CXL=y
CONFIG_CXL_MEM_DEVICE=y
CONFIG_PCC_CPPC=y
CONFIG_PCC_HISI_UNCORE=y
CONFIG_PCC_KUNPENG_HCCS=y
CONFIG_PCC_MCTP=y
CONFIG_PCC_OPREGION=y
CONFIG_PCC_RAW=y
CONFIG_PCC_XGENE_HWMON=y
CONFIG_PCC_XGENE_I2C=y
# What QEMU's own bios-tables-test needs for its aarch64 cases
CONFIG_VIRTIO_BLK=y
CONFIG_VIRTIO_SCSI=y
CONFIG_NVDIMM=y
CONFIG_VIRTIO_IOMMU=y
