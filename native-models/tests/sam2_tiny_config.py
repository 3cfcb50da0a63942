"""A tiny SAM 2 config for tests that export (S = 128, C = 32), in the dataclass JSON form `--config` reads."""

TINY_JSON = {"embed_dim": 8, "num_heads": 1, "stages": [1, 1, 2, 1], "global_att_blocks": [3], "image_size": 128,
             "d_model": 32, "decoder_mlp_dim": 64, "decoder_num_heads": 2, "iou_head_hidden_dim": 32,
             "mask_in_chans": 8, "window_pos_embed_bkg_spatial_size": [4, 4], "window_spec": [4, 2, 4, 2]}
