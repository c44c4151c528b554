"""Write a synthetic national ONS Postcode Directory CSV, deterministically, for `make bench`.

About 2.7 million postcodes (a quarter of them terminated, a few without a grid reference),
in ONSPD's 52 columns, sorted by postcode as ONSPD is. They lie in postcode areas outside
London's E, EC, N and WC, so they never collide with the real City and Hackney postcodes
that the benchmark looks up; each area has a made-up centre in England and its districts
made-up local authority and ward codes. The same seed and size always give the same file.

    python scripts/national_onspd.py OUT.csv [--rows 2700000] [--seed 2026]
"""

import argparse
import random
from pathlib import Path

HEADER = (
    "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,"
    "osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,"
    "casward,npark,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,bua24,ru11ind,"
    "oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21"
)
# Real postcode areas, less those City and Hackney's postcodes lie in (E, EC, N, WC).
AREA_LIST = """
AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN
DT DY EH EN EX FK FY G GL GU HA HD HG HP HR HS HU HX IG IP IV KA KT KW KY L LA LD LE LL
LN LS LU M ME MK ML NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL
SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WD WF WN WR WS WV YO ZE
"""
AREAS = AREA_LIST.split()
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses in the last two places
UNITS = [a + b for a in UNIT_LETTERS for b in UNIT_LETTERS]  # 400 per sector
TERMINATED_SHARE = 0.25
NO_GRID_SHARE = 0.003


def postcodes(rows: int, rng: random.Random):
    """(area, outcode, postcode) in ONSPD's order, `rows` of them, spread over every area."""
    per_area = -(-rows // len(AREAS))
    sectors = -(-per_area // len(UNITS))  # sectors per area, 10 to a district
    made = 0
    for area in sorted(AREAS):
        listed = []
        for s in range(sectors):
            district, sector = s // 10 + 1, s % 10
            outcode = f"{area}{district}"
            for unit in UNITS:
                listed.append((outcode, f"{outcode} {sector}{unit}"))
        for outcode, postcode in sorted(listed[:per_area], key=lambda t: t[1]):
            if made == rows:
                return
            made += 1
            yield area, outcode, postcode


def write(path: Path, rows: int, seed: int):
    rng = random.Random(seed)
    centres = {a: (rng.randrange(150_000, 600_000), rng.randrange(60_000, 600_000)) for a in AREAS}
    codes = {}  # outcode -> (local authority, ward base)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".partial")
    with tmp.open("w", newline="") as f:
        f.write(HEADER + "\n")
        out = []
        for area, outcode, pcds in postcodes(rows, rng):
            if outcode not in codes:
                codes[outcode] = (f"E07{len(codes) % 1_000_000:06d}", 5_000_000 + len(codes) * 20)
            authority, ward_base = codes[outcode]
            ward = f"E0{ward_base + rng.randrange(20):07d}"
            x, y = centres[area]
            if rng.random() < NO_GRID_SHARE:
                easting = northing = ""
                grid = "9"
            else:
                easting = str(x + rng.randrange(-25_000, 25_000))
                northing = str(y + rng.randrange(-25_000, 25_000))
                grid = str(rng.choice("1111111123"))
            doterm = ""
            if rng.random() < TERMINATED_SHARE:
                doterm = f"{rng.randrange(1985, 2025)}{rng.randrange(1, 13):02d}"
            inward = pcds[-3:]
            pcd = f"{pcds[:-4]:<4}{inward}"
            pcd2 = f"{pcds[:-4]:<5}{inward}"
            lsoa = f"E0{1_000_000 + rng.randrange(900_000)}"
            out.append(
                f"{pcd},{pcd2},{pcds},198001,{doterm},E10000001,E58000001,{authority},{ward},"
                f"E43000001,0,{easting},{northing},{grid},E18000007,E40000003,E92000001,"
                f"E12000007,0,E14000001,E15000007,E41000001,E30000234,E16000001,E08000001,"
                f"00AAAA,00AAAA00,00AAAA,E65000001,E01000001,E02000001,5,6A1,E00000001,{lsoa},"
                f"E02000001,E33000001,E38000001,E63000001,A1,1A1,51.500000,-0.100000,"
                f"E37000001,,E23000001,{rng.randrange(1, 32_845)},E56000001,E54000001,"
                f"E00000001,{lsoa},E02000001\n"
            )
            if len(out) == 10_000:
                f.write("".join(out))
                out.clear()
        f.write("".join(out))
    tmp.rename(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=2_700_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    write(args.out, args.rows, args.seed)


if __name__ == "__main__":
    main()
