from cer_live.sinks.abaw_csv import AbawCsvSink

from .factories import frame_result


def test_abaw_header_and_protagonist_rows(tmp_path):
    sink = AbawCsvSink(tmp_path / "out.csv")
    sink.write(frame_result(0, faces=2))  # protagonist is face 0: label id 0
    sink.write(frame_result(1, faces=0))  # no face, no row
    sink.write(frame_result(2, faces=1))  # label id 2
    sink.close()
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines == [
        "image_location,Fearfully_Surprised,Happily_Surprised,Sadly_Surprised,"
        "Disgustedly_Surprised,Angrily_Surprised,Sadly_Fearful,Sadly_Angry",
        "clip/00001.jpg,0",
        "clip/00003.jpg,2",
    ]
    assert sink.missing == 1
